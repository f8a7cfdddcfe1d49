/// The language of user-facing reasons. Offer names always show their Chinese name.
public enum Language: String, Sendable, CaseIterable { case zh, en }
