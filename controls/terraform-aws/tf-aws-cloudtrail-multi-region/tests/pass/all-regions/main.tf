resource "aws_cloudtrail" "org" {
  name                          = "org"
  s3_bucket_name                = aws_s3_bucket.trail.id
  is_multi_region_trail         = true
  is_organization_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  kms_key_id                    = aws_kms_key.trail.arn
}

resource "aws_cloudtrail" "data_events" {
  name                  = "data-events"
  s3_bucket_name        = aws_s3_bucket.trail.id
  is_multi_region_trail = "true"
  enable_logging        = true
}
