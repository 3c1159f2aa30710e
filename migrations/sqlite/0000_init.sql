CREATE TABLE `crawl_progress` (
	`crawl_id` integer PRIMARY KEY NOT NULL,
	`done` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`crawl_id`) REFERENCES `crawls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `crawls` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`spec` text NOT NULL,
	`spec_dir` text NOT NULL,
	`total` integer NOT NULL,
	`created_at` integer NOT NULL,
	`paused` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `crawls_name_unique` ON `crawls` (`name`);--> statement-breakpoint
CREATE TABLE `failures` (
	`crawl_id` integer NOT NULL,
	`key` text NOT NULL,
	`position` integer NOT NULL,
	`error_class` text NOT NULL,
	`reason` text NOT NULL,
	`status` integer,
	`attempts` integer NOT NULL,
	`failed_at` integer NOT NULL,
	PRIMARY KEY(`crawl_id`, `key`),
	FOREIGN KEY (`crawl_id`) REFERENCES `crawls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `failures_crawl_position` ON `failures` (`crawl_id`,`position`);--> statement-breakpoint
CREATE TABLE `producer_state` (
	`crawl_id` integer PRIMARY KEY NOT NULL,
	`next_batch` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`crawl_id`) REFERENCES `crawls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `results` (
	`crawl_id` integer NOT NULL,
	`key` text NOT NULL,
	`position` integer NOT NULL,
	`status` integer NOT NULL,
	`body` text NOT NULL,
	`attempts` integer NOT NULL,
	`fetched_at` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	PRIMARY KEY(`crawl_id`, `key`),
	FOREIGN KEY (`crawl_id`) REFERENCES `crawls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `results_crawl_position` ON `results` (`crawl_id`,`position`);