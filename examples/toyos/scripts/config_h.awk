# .config (CONFIG_FOO=y, CONFIG_BAR="text", # CONFIG_BAZ is not set) -> C defines.
BEGIN { print "/* Generated from .config by scripts/config_h.awk; do not edit. */" }
/^CONFIG_[A-Za-z0-9_]+=/ {
	name = substr($0, 1, index($0, "=") - 1)
	value = substr($0, index($0, "=") + 1)
	if (value == "y")
		print "#define " name " 1"
	else if (value != "n" && value != "")
		print "#define " name " " value
}
