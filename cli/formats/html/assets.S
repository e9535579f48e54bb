/*
 * assets.S - the HTML page's style and script, embedded from their files
 * at build time (the Makefile rebuilds this object when they change), each
 * followed by a NUL so format_html.c writes them as C strings.  Paths are
 * relative to the top of the tree, where make runs.
 */
	.section .rodata
	.globl	html_page_css
	.hidden	html_page_css
	.type	html_page_css, @object
html_page_css:
	.incbin	"cli/formats/html/waterfall.css"
	.byte	0
	.size	html_page_css, . - html_page_css

	.globl	html_page_js
	.hidden	html_page_js
	.type	html_page_js, @object
html_page_js:
	.incbin	"cli/formats/html/waterfall.js"
	.byte	0
	.size	html_page_js, . - html_page_js

/* No executable stack. */
	.section .note.GNU-stack, "", @progbits
