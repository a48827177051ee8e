# SPDX-License-Identifier: MIT
# Turns a text file (IN) into a C header (OUT) holding it as a byte array
# named NAME, with NAME_len; used to serve docs/openapi.yaml from the binary.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR nbytes "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
file(WRITE ${OUT} "/* generated from ${IN}: do not edit */\n"
  "static const unsigned char ${NAME}[] = {${body}0x00};\n"
  "static const unsigned long ${NAME}_len = ${nbytes};\n")
