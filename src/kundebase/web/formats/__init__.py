"""Date and number formats per language where Django's own do not suit European readers (``FORMAT_MODULE_PATH``)."""
