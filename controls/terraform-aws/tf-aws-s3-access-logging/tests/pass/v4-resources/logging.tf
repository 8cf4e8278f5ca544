# The log bucket logs to a second, locked-down bucket and back.
resource "aws_s3_bucket_logging" "access_logs" {
  bucket        = aws_s3_bucket.access_logs.id
  target_bucket = aws_s3_bucket.log_archive.id
  target_prefix = "access-logs/"
}

resource "aws_s3_bucket_logging" "log_archive" {
  bucket        = "acme-log-archive"
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "log-archive/"
}

resource "aws_s3_bucket_logging" "contracts" {
  bucket        = aws_s3_bucket.contracts.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "contracts/"

  target_object_key_format {
    partitioned_prefix {
      partition_date_source = "EventTime"
    }
  }
}
