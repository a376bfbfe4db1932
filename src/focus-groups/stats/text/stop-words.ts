/**
 * English stop words for theme extraction: function words (after the common lists of
 * Glasgow IR / scikit-learn), contraction fragments left by splitting on apostrophes
 * ("don't" → "don", "t"), and filler words that survey answers are full of but that never
 * name a theme ("really", "think", "would"…).
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above across after afterwards again against all almost alone along already also although always am among amongst an and another any anyhow
anyone anything anyway anywhere are around as at back be became because become becomes becoming been before beforehand behind being below beside besides
between beyond both but by can cannot could did do does doing done down due during each either else elsewhere enough etc even ever every everyone
everything everywhere except few for former formerly from further get gets getting give given go going gone got had has have having he hence her
here hereafter hereby herein hereupon hers herself him himself his how however i ie if in indeed instead into is it its itself just kind latter
latterly least less let lot lots make makes many may me meanwhile might mine more moreover most mostly much must my myself namely neither never
nevertheless next no nobody none noone nor not nothing now nowhere of off often on once one only onto or other others otherwise our ours ourselves out
over own per perhaps please put rather re same see seem seemed seeming seems several she should since so some somehow someone something sometime
sometimes somewhere still such than that the their theirs them themselves then thence there thereafter thereby therefore therein thereupon these they
thing things think this those though through throughout thru thus to together too toward towards under until up upon us very via was we well were what
whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever whether which while whither who whoever whole whom whose why
will with within without would yet you your yours yourself yourselves
don doesn didn isn wasn aren weren won wouldn couldn shouldn hasn haven hadn ve ll im ive id youre theyre thats dont cant wont
really actually basically definitely probably maybe quite pretty also like just guess feel feels felt think thought say said way ok okay yes yeah sure
bit little lot lots somewhat honestly personally overall generally especially`
    .split(/\s+/)
    .filter(Boolean),
);
