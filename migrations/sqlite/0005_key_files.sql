CREATE TABLE `crawl_keys` (
	`crawl_id` integer NOT NULL,
	`position` integer NOT NULL,
	`key` text NOT NULL,
	PRIMARY KEY(`crawl_id`, `position`),
	FOREIGN KEY (`crawl_id`) REFERENCES `crawls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `key_files` (
	`crawl_id` integer PRIMARY KEY NOT NULL,
	`sha256` text NOT NULL,
	`keys` integer NOT NULL,
	`stored_at` integer NOT NULL,
	FOREIGN KEY (`crawl_id`) REFERENCES `crawls`(`id`) ON UPDATE no action ON DELETE cascade
);
