resource "aws_s3_bucket" "backups" {
  bucket = "acme-backups"
}

# Suspended keeps the versions made so far but versions no new write.
resource "aws_s3_bucket_versioning" "backups" {
  bucket = aws_s3_bucket.backups.id
  versioning_configuration {
    status = "Suspended"
  }
}
