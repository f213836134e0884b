// Part of the demo bundle: /js/??greeting.js,clock.js answers this file and clock.js concatenated, compressed
// (gzip, br or zstd, as the browser accepts) from the server's cache directory.
(function () {
	'use strict';
	var greeting = document.getElementById('bundle-greeting');
	if (greeting) {
		greeting.textContent = 'This text was written by greeting.js, loaded as part of a bundle.';
	}
}());
