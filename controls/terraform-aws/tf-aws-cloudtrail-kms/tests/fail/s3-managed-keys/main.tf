resource "aws_cloudtrail" "main" {
  name                  = "main"
  s3_bucket_name        = aws_s3_bucket.trail.id
  is_multi_region_trail = true
}

resource "aws_cloudtrail" "data_events" {
  name                  = "data-events"
  s3_bucket_name        = aws_s3_bucket.trail.id
  is_multi_region_trail = true
  kms_key_id            = ""
}
