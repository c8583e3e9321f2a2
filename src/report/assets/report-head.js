// Runs before the body: images that fail to load (offline, or the bot's URL is gone) show a
// placeholder with their URL instead of a broken-image icon.
document.addEventListener('error',function(e){var t=e.target;if(t&&t.tagName==='IMG'&&t.parentNode&&t.parentNode.classList)t.parentNode.classList.add('broken');},true);
