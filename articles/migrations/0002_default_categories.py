from django.db import migrations

DEFAULT_CATEGORIES = [
    ("RL", "rl", "强化学习：策略梯度、价值函数、RLHF 与 GRPO。", 10),
    ("Generative", "generative", "生成模型：VAE、扩散模型、流模型、GAN。", 20),
    ("LLM", "llm", "大语言模型：预训练、对齐、推理与评测。", 30),
    ("Systems", "systems", "机器学习系统：训练与推理的工程、并行与加速。", 40),
]


def create_categories(apps, schema_editor):
    Category = apps.get_model("articles", "Category")
    for name, slug, description, position in DEFAULT_CATEGORIES:
        Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(create_categories, migrations.RunPython.noop)]
