# cmake -DINPUT=<file> -DOUTPUT=<file.cpp> -DSYMBOL=<name> -DNAMESPACE=<ns> -P embed_text.cmake
# Writes a .cpp defining `extern const char* const <ns>::<SYMBOL>` holding INPUT's
# text as a raw string literal, so a data file ships inside the binary.
file(READ "${INPUT}" text)
get_filename_component(input_name "${INPUT}" NAME)
string(FIND "${text}" ")embedded_text\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${input_name} by cmake/embed_text.cmake; do not edit.\n"
  "namespace ${NAMESPACE} {\n"
  "extern const char* const ${SYMBOL};\n"
  "const char* const ${SYMBOL} = R\"embedded_text(${text})embedded_text\";\n"
  "}\n")
# Only touch the output when it changed, so an unchanged profile rebuilds nothing.
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
