resource "aws_s3_bucket" "payroll" {
  bucket = "acme-payroll"

  # target_bucket was removed when the old log bucket was deleted
  logging {
    target_prefix = "payroll/"
  }
}
