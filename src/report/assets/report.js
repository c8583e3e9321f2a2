// The report's filters: status buttons, the search box (every word must occur in a scenario's
// data-search text: names, tags, steps, data tables and what the bot said), expand/collapse, #anchors.
(function(){
var filter='all',q=document.getElementById('search');
var scenarios=[].slice.call(document.querySelectorAll('details.scenario'));
var features=[].slice.call(document.querySelectorAll('section.feature'));
function apply(){
  var text=q.value.trim().toLowerCase(),terms=text?text.split(/\s+/):[],shown=0;
  scenarios.forEach(function(s){
    var ok=(filter==='all'||s.getAttribute('data-group')===filter);
    var hay=s.getAttribute('data-search');
    for(var i=0;ok&&i<terms.length;i++)if(hay.indexOf(terms[i])<0)ok=false;
    s.hidden=!ok;if(ok)shown++;
  });
  features.forEach(function(f){f.hidden=!f.querySelector('details.scenario:not([hidden])');});
  document.getElementById('no-match').hidden=shown>0;
  document.getElementById('shown-count').textContent=String(shown);
}
[].forEach.call(document.querySelectorAll('button[data-filter]'),function(b){
  b.addEventListener('click',function(){
    filter=b.getAttribute('data-filter');
    [].forEach.call(document.querySelectorAll('button[data-filter]'),function(o){o.setAttribute('aria-pressed',String(o===b));});
    apply();
  });
});
q.addEventListener('input',apply);
document.getElementById('expand-all').addEventListener('click',function(){scenarios.forEach(function(s){if(!s.hidden)s.open=true;});});
document.getElementById('collapse-all').addEventListener('click',function(){scenarios.forEach(function(s){s.open=false;});});
function openHash(){var id=decodeURIComponent(location.hash.slice(1));var el=id&&document.getElementById(id);if(el&&el.tagName==='DETAILS')el.open=true;}
window.addEventListener('hashchange',openHash);openHash();
apply();
})();
