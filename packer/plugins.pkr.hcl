# Packer >= 1.7 only. Kept apart from every other template because older Packer
# releases (Debian ships 1.6.6) reject both the required_version constraint and the
# required_plugins block; CI validates the rest of the templates with that Packer.
packer {
  required_version = ">= 1.14.0"

  required_plugins {
    amazon = {
      source  = "github.com/hashicorp/amazon"
      version = "~> 1"
    }
  }
}
