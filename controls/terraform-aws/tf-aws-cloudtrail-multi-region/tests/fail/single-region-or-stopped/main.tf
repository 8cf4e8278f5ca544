resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = aws_s3_bucket.trail.id
  enable_log_file_validation = true
}

resource "aws_cloudtrail" "paused" {
  name                  = "paused"
  s3_bucket_name        = aws_s3_bucket.trail.id
  is_multi_region_trail = true
  enable_logging        = false
}
