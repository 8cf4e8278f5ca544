variable "db_password" {
  type        = string
  description = "Master password of the orders database"
  default     = "Aa1234321Bb"
}

variable "stripe_api_key" {
  type      = string
  sensitive = true
  default   = "sk_live_placeholder_0000"
}

# Not secrets, or not literal: none of these is reported.
variable "db_password_length" {
  default = 32
}

variable "region" {
  default = "eu-central-1"
}

variable "admin_token" {
  type      = string
  sensitive = true
}
