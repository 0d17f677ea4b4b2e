// Textbook+Adam.swift — the textbook convention's Adam-group optimizers: names, keyword arguments, defaults.
import DescentJSON

let textbookAdamGroup: [OptimizerEntry] = [
]
