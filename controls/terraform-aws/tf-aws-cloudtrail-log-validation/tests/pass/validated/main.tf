resource "aws_cloudtrail" "org" {
  name                       = "org"
  s3_bucket_name             = aws_s3_bucket.trail.id
  is_multi_region_trail      = true
  enable_log_file_validation = true
}
