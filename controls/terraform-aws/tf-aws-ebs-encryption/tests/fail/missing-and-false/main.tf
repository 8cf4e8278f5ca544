resource "aws_ebs_volume" "jenkins_home" {
  availability_zone = "eu-west-1a"
  size              = 200
  type              = "gp3"

  tags = {
    Name = "jenkins-home"
  }
}

resource "aws_ebs_volume" "scratch" {
  availability_zone = "eu-west-1b"
  size              = 500
  encrypted         = false
}

resource "aws_volume_attachment" "jenkins_home" {
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.jenkins_home.id
  instance_id = aws_instance.jenkins.id
}
