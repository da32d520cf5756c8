import ArgumentParser
import CalcflowAPI

Calcflowctl.main()
