"""Privacy by law: purposes and legal bases, special-category screen, consent, registers, rights, audit."""
