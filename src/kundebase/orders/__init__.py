"""Orders, order lines, the product catalogue and product interests."""
