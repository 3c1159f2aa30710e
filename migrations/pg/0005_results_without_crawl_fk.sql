ALTER TABLE "results" DROP CONSTRAINT "results_crawl_id_crawls_id_fk";
