resource "aws_guardduty_detector" "main" {
  enable                       = true
  finding_publishing_frequency = "FIFTEEN_MINUTES"
}

# enable defaults to true.
resource "aws_guardduty_detector" "us_east_1" {
  provider = aws.us_east_1
}
