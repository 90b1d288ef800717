"""Full-text search for notes written in Chinese and English.

Text is segmented in the application (jieba with a user dictionary of domain terms) so that the
database's plain word index can find Chinese words: PostgreSQL stores a weighted ``tsvector``,
SQLite an FTS5 table with the ``unicode61`` tokenizer, both over the same segmented text.
"""
