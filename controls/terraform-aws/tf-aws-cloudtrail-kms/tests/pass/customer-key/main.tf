resource "aws_cloudtrail" "org" {
  name                  = "org"
  s3_bucket_name        = aws_s3_bucket.trail.id
  is_multi_region_trail = true
  kms_key_id            = aws_kms_key.trail.arn
}

variable "trail_key_arn" {
  type = string
}

resource "aws_cloudtrail" "audit" {
  name                  = "audit"
  s3_bucket_name        = aws_s3_bucket.trail.id
  is_multi_region_trail = true
  kms_key_id            = var.trail_key_arn
}
