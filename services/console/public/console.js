// Keeps every [data-live] region of the page current from its server-sent event stream: the server
// sends the region's new HTML (built like the first page load) whenever what the APIs say changed.
(() => {
  for (const region of document.querySelectorAll('[data-live]')) {
    const source = new EventSource(region.getAttribute('data-live'));
    source.addEventListener('fragment', (event) => {
      // Keep what someone is typing: a region with a focused field waits for the next change.
      if (
        region.contains(document.activeElement) &&
        document.activeElement.matches('input, textarea, select')
      )
        return;
      region.innerHTML = event.data;
      region.setAttribute('data-updated', new Date().toISOString());
    });
    source.addEventListener('error', () => {
      // A closed stream with the session gone (401): reload, which leads to the sign-in page.
      if (source.readyState === EventSource.CLOSED) window.location.reload();
    });
  }
})();
