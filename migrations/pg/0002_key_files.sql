CREATE TABLE "crawl_keys" (
	"crawl_id" integer NOT NULL,
	"position" integer NOT NULL,
	"key" text NOT NULL,
	CONSTRAINT "crawl_keys_crawl_id_position_pk" PRIMARY KEY("crawl_id","position")
);
--> statement-breakpoint
CREATE TABLE "key_files" (
	"crawl_id" integer PRIMARY KEY NOT NULL,
	"sha256" text NOT NULL,
	"keys" integer NOT NULL,
	"stored_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "crawl_keys" ADD CONSTRAINT "crawl_keys_crawl_id_crawls_id_fk" FOREIGN KEY ("crawl_id") REFERENCES "public"."crawls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "key_files" ADD CONSTRAINT "key_files_crawl_id_crawls_id_fk" FOREIGN KEY ("crawl_id") REFERENCES "public"."crawls"("id") ON DELETE cascade ON UPDATE no action;