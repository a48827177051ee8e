# Turns a text file into a C header holding it as a byte array (no xxd needed).
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR nbytes "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
file(WRITE ${OUT} "/* generated from rules/default.yaml: do not edit */\n"
  "static const unsigned char pvg__default_rules[] = {${body}0x00};\n"
  "static const unsigned long pvg__default_rules_len = ${nbytes};\n")
