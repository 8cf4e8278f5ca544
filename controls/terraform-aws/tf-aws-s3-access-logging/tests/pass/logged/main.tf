resource "aws_s3_bucket" "access_logs" {
  bucket = "acme-access-logs"

  # The log bucket logs to a second, locked-down bucket.
  logging {
    target_bucket = aws_s3_bucket.log_archive.id
    target_prefix = "access-logs/"
  }
}

resource "aws_s3_bucket" "log_archive" {
  bucket = "acme-log-archive"

  logging {
    target_bucket = aws_s3_bucket.access_logs.id
    target_prefix = "log-archive/"
  }
}

resource "aws_s3_bucket" "contracts" {
  bucket = "acme-contracts"

  logging {
    target_bucket = aws_s3_bucket.access_logs.id
    target_prefix = "contracts/"
  }
}
