// Schedulefree+ScheduleFree.swift — schedulefree SGDScheduleFree, AdamWScheduleFree.
import DescentJSON

let schedulefreeGroup: [OptimizerEntry] = [
]
