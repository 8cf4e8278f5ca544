resource "aws_s3_bucket_versioning" "backups" {
  bucket = aws_s3_bucket.backups.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = "acme-terraform-state"
  versioning_configuration {
    status     = "Enabled"
    mfa_delete = "Disabled"
  }
}
