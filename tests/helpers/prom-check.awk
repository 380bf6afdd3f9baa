# A strict checker of the Prometheus text exposition format (0.0.4), as
# node_exporter's textfile collector reads it, plus the rules that promtool's
# linter applies. POSIX awk (busybox awk in the guests, mawk or gawk here).
#
#   awk -v prefix=sysanom_ -f prom-check.awk FILE     exit 0 if valid
#
# Every problem is printed as FILE:LINE: reason. Checked: each metric has
# one HELP and one TYPE line, before its samples; TYPE is counter, gauge,
# histogram, summary or untyped; a family's samples are contiguous; names
# and label names are valid, label values quoted with only \\ \" \n
# escapes; no label name twice in a sample and none starting with __; no
# series twice; values are numbers (or NaN, +Inf, -Inf), counters >= 0 and
# named *_total, and other types never end in _total; every name starts
# with @prefix; no blank line, no trailing space, a final newline.
function bad(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg
	errors++
}

function valid_name(s) {
	return s ~ /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
}

function valid_value(s) {
	if (s == "NaN" || s == "+Inf" || s == "-Inf")
		return 1
	return s ~ /^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$/
}

# The family a sample belongs to: histograms and summaries add suffixes.
function family_of(name,    base) {
	if (name in type)
		return name
	base = name
	sub(/_(bucket|sum|count)$/, "", base)
	if (base in type && (type[base] == "histogram" || type[base] == "summary"))
		return base
	return name
}

# Parses the label set at the start of s ("{...} rest"); sets lab_rest to
# what follows and lab_key to a canonical form; returns 0 when malformed.
function parse_labels(s,    i, c, n, name, val, seen, state) {
	lab_key = ""
	i = 2
	n = length(s)
	state = "name"
	name = ""
	split("", seen)
	while (i <= n) {
		c = substr(s, i, 1)
		if (state == "name") {
			if (c == "}" && name == "") {
				lab_rest = substr(s, i + 1)
				return 1
			}
			if (c == "=") {
				if (name !~ /^[a-zA-Z_][a-zA-Z0-9_]*$/) { bad("bad label name '" name "'"); return 0 }
				if (name ~ /^__/) { bad("reserved label name '" name "'"); return 0 }
				if (name in seen) { bad("label '" name "' twice"); return 0 }
				seen[name] = 1
				i++
				if (substr(s, i, 1) != "\"") { bad("label value of '" name "' not quoted"); return 0 }
				state = "value"
				val = ""
			} else
				name = name c
		} else if (state == "value") {
			if (c == "\\") {
				i++
				c = substr(s, i, 1)
				if (c != "\\" && c != "\"" && c != "n") { bad("bad escape \\" c " in label '" name "'"); return 0 }
				val = val "\\" c
			} else if (c == "\"") {
				lab_key = lab_key name "=" val "\001"
				name = ""
				i++
				c = substr(s, i, 1)
				if (c == "}") {
					lab_rest = substr(s, i + 1)
					return 1
				}
				if (c != ",") { bad("expected , or } after label value"); return 0 }
				state = "name"
			} else
				val = val c
		}
		i++
	}
	bad("unterminated label set")
	return 0
}

{
	line = $0
	if (line == "") { bad("blank line"); next }
	if (line ~ /[ \t]$/) bad("trailing white space")
	if (substr(line, 1, 1) == "#") {
		if (line ~ /^# (HELP|TYPE) /) {
			split(line, w, " ")
			kind = w[2]
			name = w[3]
			if (!valid_name(name)) { bad("bad metric name '" name "'"); next }
			if (prefix != "" && index(name, prefix) != 1) bad(name ": no " prefix " prefix")
			if (kind == "HELP") {
				if (name in help) bad("second HELP for " name)
				help[name] = 1
				if (line !~ /^# HELP [^ ]+ [^ ]/) bad("empty HELP for " name)
			} else {
				if (name in type) bad("second TYPE for " name)
				if (name in sampled) bad("TYPE for " name " after its samples")
				t = w[4]
				if (w[5] != "" || (t != "counter" && t != "gauge" && t != "histogram" && t != "summary" && t != "untyped"))
					bad("bad TYPE line for " name)
				type[name] = t
				if (t == "counter" && name !~ /_total$/) bad("counter " name " does not end in _total")
				if (t != "counter" && name ~ /_total$/) bad(t " " name " ends in _total")
			}
			if (name in done) bad(kind " for " name " after its family ended")
		}
		next
	}
	# A sample: name[{labels}] value [timestamp]
	if (!match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*/)) { bad("not a sample: " line); next }
	name = substr(line, 1, RLENGTH)
	rest = substr(line, RLENGTH + 1)
	key = ""
	if (substr(rest, 1, 1) == "{") {
		if (!parse_labels(rest)) next
		key = lab_key
		rest = lab_rest
	}
	if (substr(rest, 1, 1) != " ") { bad("no space before the value of " name); next }
	n = split(substr(rest, 2), v, " ")
	if (n < 1 || n > 2 || substr(rest, 2, 1) == " ") { bad("bad value field for " name); next }
	if (!valid_value(v[1])) bad("bad value '" v[1] "' for " name)
	if (n == 2 && v[2] !~ /^-?[0-9]+$/) bad("bad timestamp for " name)
	fam = family_of(name)
	if (!(fam in type)) bad("no TYPE for " name)
	if (!(fam in help)) bad("no HELP for " name)
	if (prefix != "" && index(name, prefix) != 1) bad(name ": no " prefix " prefix")
	if (type[fam] == "counter" && (v[1] ~ /^-/ || v[1] == "NaN")) bad("counter " name " is " v[1])
	if (fam != current) {
		if (fam in done) bad("samples of " fam " are not contiguous")
		if (current != "") done[current] = 1
		current = fam
	}
	sampled[fam] = 1
	if ((name SUBSEP key) in series) bad("series twice: " line)
	series[name SUBSEP key] = 1
	samples++
}

END {
	for (name in type)
		if (!(name in help)) { printf "%s: TYPE without HELP for %s\n", FILENAME, name; errors++ }
	for (name in help)
		if (!(name in type)) { printf "%s: HELP without TYPE for %s\n", FILENAME, name; errors++ }
	if (!samples) { printf "%s: no samples\n", FILENAME; errors++ }
	if (errors) { printf "%s: %d problem(s)\n", FILENAME, errors; exit 1 }
	printf "%s: %d samples, valid\n", FILENAME, samples
}
