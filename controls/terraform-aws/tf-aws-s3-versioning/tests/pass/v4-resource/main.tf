resource "aws_s3_bucket" "backups" {
  bucket = "acme-backups"
}

resource "aws_s3_bucket" "state" {
  bucket = "acme-terraform-state"
}
