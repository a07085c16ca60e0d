/**
 * Common English given names and the short forms people use for them. Two forenames are
 * treated as the same name when they fall in one group ("Bob" and "Robert").
 */
const GROUPS = [
  ['robert', 'rob', 'robbie', 'bob', 'bobby', 'bert'],
  ['william', 'will', 'bill', 'billy', 'willie', 'liam'],
  ['james', 'jim', 'jimmy', 'jamie', 'jas'],
  ['michael', 'mike', 'mick', 'micky', 'mikey'],
  ['richard', 'rich', 'richie', 'rick', 'ricky', 'dick'],
  ['thomas', 'tom', 'tommy'],
  ['christopher', 'chris', 'kit'],
  ['joseph', 'joe', 'joey'],
  ['daniel', 'dan', 'danny'],
  ['anthony', 'tony', 'ant'],
  ['stephen', 'steven', 'steve', 'stevie'],
  ['edward', 'ed', 'eddie', 'ted', 'teddy', 'ned'],
  ['david', 'dave', 'davey', 'davie'],
  ['matthew', 'matt', 'matty'],
  ['andrew', 'andy', 'drew'],
  ['alexander', 'alex', 'alec', 'sandy', 'xander'],
  ['benjamin', 'ben', 'benny', 'benji'],
  ['samuel', 'sam', 'sammy'],
  ['jonathan', 'jon', 'jonny', 'johnny'],
  ['john', 'jack', 'johnny', 'jon'],
  ['nicholas', 'nick', 'nicky', 'nico'],
  ['patrick', 'pat', 'paddy'],
  ['peter', 'pete'],
  ['charles', 'charlie', 'chas', 'chuck'],
  ['kenneth', 'ken', 'kenny'],
  ['ronald', 'ron', 'ronnie'],
  ['donald', 'don', 'donny'],
  ['frederick', 'fred', 'freddie', 'freddy'],
  ['henry', 'harry', 'hal', 'hank'],
  ['harold', 'harry', 'hal'],
  ['raymond', 'ray'],
  ['gregory', 'greg'],
  ['jeffrey', 'geoffrey', 'jeff', 'geoff'],
  ['philip', 'phillip', 'phil', 'pip'],
  ['terence', 'terrence', 'terry', 'tel'],
  ['timothy', 'tim', 'timmy'],
  ['joshua', 'josh'],
  ['nathan', 'nathaniel', 'nate', 'nat'],
  ['jacob', 'jake'],
  ['zachary', 'zach', 'zak'],
  ['lawrence', 'laurence', 'larry', 'laurie'],
  ['leonard', 'len', 'lenny', 'leo'],
  ['douglas', 'doug', 'dougie'],
  ['francis', 'frank', 'frankie', 'fran'],
  ['gerald', 'gerard', 'gerry', 'jerry'],
  ['elizabeth', 'liz', 'lizzie', 'beth', 'betty', 'eliza', 'libby', 'bess'],
  ['margaret', 'maggie', 'meg', 'peggy', 'marge', 'mags'],
  ['katherine', 'catherine', 'kathryn', 'kate', 'katie', 'kathy', 'cathy', 'kath', 'kat'],
  ['jennifer', 'jen', 'jenny'],
  ['rebecca', 'becky', 'becca', 'bex'],
  ['jessica', 'jess', 'jessie'],
  ['samantha', 'sam', 'sammy'],
  ['victoria', 'vicky', 'vikki', 'tori'],
  ['susan', 'sue', 'suzy', 'susie'],
  ['deborah', 'debra', 'debbie', 'deb'],
  ['patricia', 'pat', 'trish', 'tricia', 'patty'],
  ['jacqueline', 'jackie', 'jacqui'],
  ['alexandra', 'alex', 'lexi', 'sandra'],
  ['christine', 'christina', 'chris', 'chrissie', 'tina'],
  ['abigail', 'abby', 'abbie', 'gail'],
  ['amanda', 'mandy'],
  ['natalie', 'nat', 'tally'],
  ['kimberley', 'kimberly', 'kim'],
  ['eleanor', 'ellie', 'nell', 'nora'],
  ['louise', 'lou', 'lulu'],
  ['dorothy', 'dot', 'dottie', 'dolly'],
] as const

const groupsOf = new Map<string, Set<number>>()
GROUPS.forEach((group, index) => {
  for (const name of group) groupsOf.set(name, (groupsOf.get(name) ?? new Set()).add(index))
})

/** Whether two (normalised, lower-case) forenames are forms of the same name. */
export function sameNameGroup(a: string, b: string): boolean {
  const ga = groupsOf.get(a)
  const gb = groupsOf.get(b)
  if (!ga || !gb) return false
  for (const g of ga) if (gb.has(g)) return true
  return false
}
