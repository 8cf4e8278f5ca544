# AWS provider v4+ style: logging is configured by separate resources (logging.tf).
resource "aws_s3_bucket" "access_logs" {
  bucket = "acme-access-logs"
}

resource "aws_s3_bucket" "log_archive" {
  bucket = "acme-log-archive"
}

resource "aws_s3_bucket" "contracts" {
  bucket = "acme-contracts"
}
