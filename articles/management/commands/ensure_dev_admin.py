from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create a local admin account for development (refuses when DEBUG is off)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", default="admin")

    def handle(self, *args, username, password, **options):
        if not settings.DEBUG:
            raise CommandError("ensure_dev_admin is for development only (DEBUG is off).")
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(password)
            user.save()
        admin_url = f"http://127.0.0.1:8000/{settings.ADMIN_URL}"
        if created:
            self.stdout.write(f"Admin: {admin_url}  user '{username}', password '{password}'")
        else:
            self.stdout.write(f"Admin: {admin_url}  user '{username}' (existing password)")
