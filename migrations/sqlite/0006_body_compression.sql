CREATE TABLE `body_dictionaries` (
	`crawl_id` integer PRIMARY KEY NOT NULL,
	`codec` text NOT NULL,
	`dictionary` blob,
	`built_at` integer,
	FOREIGN KEY (`crawl_id`) REFERENCES `crawls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `results` ADD `body_z` blob;