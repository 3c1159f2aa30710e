CREATE TABLE `request_log` (
	`crawl_id` integer NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`crawl_id`) REFERENCES `crawls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `request_log_crawl_at` ON `request_log` (`crawl_id`,`at`);