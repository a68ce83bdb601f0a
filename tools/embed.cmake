# cmake -DIN=FILE -DOUT=FILE.c -DNAME=symbol -P embed.cmake
# Writes FILE's bytes as a C array: const unsigned char NAME[] and
# const size_t NAME_len (renjad's serialized FileDescriptorSet, for reflection).
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "(................................)" "\\1\n" hex "${hex}")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
file(WRITE ${OUT}
     "/* Generated from ${IN} by tools/embed.cmake; do not edit. */\n"
     "#include <stddef.h>\n"
     "const unsigned char ${NAME}[] = {\n${hex}\n};\n"
     "const size_t ${NAME}_len = ${len};\n")
