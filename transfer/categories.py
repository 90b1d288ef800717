"""Mapping a source's categories and tags onto our categories.

The order: the mapping file (``--category-map``), then a category of ours by slug or name,
then the built-in table of common names. The first of the note's categories that maps wins,
then the first of its tags; the categories that did not become the category become tags
(tags stay tags). A note that maps nowhere goes to the default category, if one was given.
"""

import tomllib
from dataclasses import dataclass

import yaml

from articles.models import Category

# Common names (compared case-insensitively) -> the slug of one of the default categories.
BUILT_IN = {
    "rl": ["强化学习", "深度强化学习", "reinforcement learning", "reinforcement-learning", "rl",
           "drl", "rlhf", "策略梯度", "policy gradient", "policy-gradient", "多智能体"],
    "generative": ["生成模型", "生成式模型", "generative", "generative models", "generative-models",
                   "diffusion", "扩散模型", "diffusion models", "vae", "gan", "flow", "流模型"],
    "llm": ["大模型", "大语言模型", "语言模型", "llm", "llms", "large language models",
            "large-language-models", "transformer", "transformers", "对齐", "alignment"],
    "systems": ["系统", "机器学习系统", "systems", "ml systems", "mlsys", "infra", "分布式训练",
                "distributed training", "推理加速", "inference", "gpu", "cuda"],
}  # fmt: skip


def _key(name):
    return " ".join(str(name).split()).casefold()


class MappingFileError(ValueError):
    pass


def load_mapping_file(path):
    """``{source name: category slug}`` from a TOML or YAML file (flat, or under ``categories``)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise MappingFileError(f"cannot read {path}: {error}") from error
    return load_mapping_text(data, path.name)


def load_mapping_text(data, name):
    """The mapping in ``data`` (bytes), TOML if ``name`` ends in .toml, else YAML."""
    try:
        text = data.decode("utf-8-sig")
        parsed = tomllib.loads(text) if name.endswith(".toml") else yaml.safe_load(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        raise MappingFileError(f"{name}: {error}") from error
    if isinstance(parsed, dict) and isinstance(parsed.get("categories"), dict):
        parsed = parsed["categories"]
    if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
        raise MappingFileError(f"{name}: expected a table of source name = category slug")
    return {str(key): value for key, value in parsed.items()}


@dataclass(frozen=True)
class Resolution:
    category: Category | None
    matched: str | None  # the source name that decided it; None: default or unmapped
    tags: list[str]


class CategoryMapper:
    def __init__(self, mapping=None, default_slug=None):
        self.categories = {c.slug: c for c in Category.objects.all()}
        unknown = sorted({slug for slug in (mapping or {}).values() if slug not in self.categories})
        if unknown:
            raise MappingFileError(f"the mapping names unknown categories: {', '.join(unknown)}")
        if default_slug and default_slug not in self.categories:
            raise MappingFileError(f"no category with the slug {default_slug!r}")
        self.default = self.categories.get(default_slug) if default_slug else None
        self.table = {}
        for slug, names in BUILT_IN.items():
            if slug in self.categories:
                self.table.update({_key(name): slug for name in names})
        for category in self.categories.values():
            self.table[_key(category.name)] = category.slug
            self.table[_key(category.slug)] = category.slug
        self.table.update({_key(name): slug for name, slug in (mapping or {}).items()})

    def lookup(self, name):
        slug = self.table.get(_key(name))
        return self.categories[slug] if slug else None

    def resolve(self, categories, tags):
        chosen, matched = None, None
        for name in categories:
            if chosen is None and (category := self.lookup(name)):
                chosen, matched = category, name
        if chosen is None:
            for name in tags:
                if category := self.lookup(name):
                    chosen, matched = category, name
                    break
        extra = [name for name in categories if name != matched]
        all_tags = list(dict.fromkeys([*tags, *extra]))
        return Resolution(chosen or self.default, matched, all_tags)
