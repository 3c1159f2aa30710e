CREATE TABLE `ledger_meta` (
	`singleton` integer PRIMARY KEY NOT NULL,
	`ledger_id` text NOT NULL,
	`created_at` integer NOT NULL
);
