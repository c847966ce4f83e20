# Packer >= 1.7 only (data sources): excluded, like plugins.pkr.hcl, from the
# syntax check CI runs with Debian's Packer 1.6.6.
#
# The newest Ubuntu 24.04 LTS image published by Canonical that matches the filter.
data "amazon-ami" "ubuntu" {
  region = var.region
  filters = {
    name                = var.base_image_filter
    root-device-type    = "ebs"
    virtualization-type = "hvm"
  }
  owners      = [var.base_image_owner]
  most_recent = true
}
