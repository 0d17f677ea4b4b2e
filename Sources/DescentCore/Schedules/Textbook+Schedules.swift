// Textbook+Schedules.swift — the textbook convention's learning-rate schedules.
import DescentJSON

let textbookSchedules: [ScheduleEntry] = [
]
