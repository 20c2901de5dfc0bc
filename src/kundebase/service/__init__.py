"""Customer service: mailboxes fetched into the timeline, cases with SLAs, replies from templates."""
