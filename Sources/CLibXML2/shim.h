// Debian's libxml2 is built with ICU, so its headers pull in the system ICU, whose declarations
// clash with the ICU copy inside Swift's Foundation. We never touch libxml2's ICU converters:
// skip the ICU header and declare the two opaque types libxml2's structs mention.
#define UCNV_H
typedef struct UConverter UConverter;
typedef unsigned short UChar;
#include <libxml/xmlreader.h>
#include <libxml/parser.h>
#include <libxml/xmlmemory.h>

// xmlFree is a global function pointer, which Swift 6 treats as shared mutable state.
static inline void gridtrace_xml_free(void *pointer) { xmlFree(pointer); }
