// Suggest.swift — "did you mean …?" for a mistyped command, option, choice, implementation or
// known-wrong variant: the nearest known name by edit distance, when it is near enough. Here (not
// in DescentCLI) so that the training options' own checks (TrainConfig) can use it too.

package enum Suggest {
    /// Edit distance (insertions, deletions, substitutions, and a swap of two neighbours counts
    /// one edit: `Adma` is one edit from `Adam`), case-insensitive.
    package static func distance(_ a: String, _ b: String) -> Int {
        let s = Array(a.lowercased()), t = Array(b.lowercased())
        if s.isEmpty { return t.count }
        if t.isEmpty { return s.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: t.count + 1), count: s.count + 1)
        for i in 0...s.count { d[i][0] = i }
        for j in 0...t.count { d[0][j] = j }
        for i in 1...s.count {
            for j in 1...t.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[s.count][t.count]
    }

    /// The nearest of `candidates` to `word` (the first of equally near ones), if it is within
    /// a third of the word's length in edits (at least 1, at most 3).
    package static func nearest(_ word: String, among candidates: some Sequence<String>) -> String? {
        let limit = min(3, max(1, word.count / 3))
        var best: (String, Int)?
        for c in candidates where c != word {
            let d = distance(word, c)
            if d <= limit, d < (best?.1 ?? Int.max) { best = (c, d) }
        }
        return best?.0
    }

    /// " (did you mean 'x'?)", or "" when nothing is near. `prefix` is shown before the name
    /// (e.g. "--" for options, "wrong:" for variants).
    package static func didYouMean(_ word: String, among candidates: some Sequence<String>, prefix: String = "") -> String {
        nearest(word, among: candidates).map { " (did you mean '\(prefix)\($0)'?)" } ?? ""
    }
}
