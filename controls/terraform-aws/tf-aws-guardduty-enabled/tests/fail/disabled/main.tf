resource "aws_guardduty_detector" "eu_west_1" {
  enable = false
}

resource "aws_guardduty_detector" "eu_central_1" {
  provider = aws.eu_central_1
}
